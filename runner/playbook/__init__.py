"""Playbooks and inventories: YAML with positions → schema → frozen model, templates, selection."""
