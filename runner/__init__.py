"""sfjwt-run: a declarative runner for Salesforce's OAuth 2.0 JWT Bearer flow."""

__version__ = "0.1.0"
