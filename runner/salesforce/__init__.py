"""Talking to Salesforce: keys, the JWT bearer exchange, the HTTP client, doctor checks."""
