"""Playbook pages: the library and editor, the checklist panel, adherence."""
