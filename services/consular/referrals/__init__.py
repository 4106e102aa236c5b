"""Referrals of a case to partner organizations (IOM, NGOs, lawyers, shelters)."""
