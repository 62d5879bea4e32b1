"""Run a playbook: keys, one lane per org, actions and checks → results as data."""
