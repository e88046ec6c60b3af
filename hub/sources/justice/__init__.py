"""司法 justice: mediation cases and correction subjects (Basic auth, page numbers, camelCase, epoch ms)."""
