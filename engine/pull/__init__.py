"""Pulling real inputs: the company directory from Dialpad's API, sample users from Okta or
Entra ID (as their SCIM apps would send them). Blocking HTTP, one module per API."""
