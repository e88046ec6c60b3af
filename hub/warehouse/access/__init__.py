"""The access log: who read which persons' data, when, and by which operation (DESIGN §8)."""
