"""Identity normalisation and matching of people across departments."""
