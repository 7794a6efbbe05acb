"""Questionnaires and checklists as versioned data: definitions, rounds, answers, scoring."""
