"""Names of the codes the registry takes for a departure's work: ISIC Rev.4 sections
(``sector``, a letter A-U) and ISCO-08 major groups (``occupation``, a digit 0-9:
the registry takes major groups only), marked for translation."""

from __future__ import annotations

from services.console.i18n import N_

ISIC_SECTIONS: tuple[tuple[str, str], ...] = (
    ("A", N_("Agriculture, forestry and fishing")),
    ("B", N_("Mining and quarrying")),
    ("C", N_("Manufacturing")),
    ("D", N_("Electricity, gas, steam and air conditioning supply")),
    ("E", N_("Water supply, sewerage and waste management")),
    ("F", N_("Construction")),
    ("G", N_("Wholesale and retail trade; repair of vehicles")),
    ("H", N_("Transport and storage")),
    ("I", N_("Hotels, restaurants and catering")),
    ("J", N_("Information and communication")),
    ("K", N_("Finance and insurance")),
    ("L", N_("Real estate")),
    ("M", N_("Professional, scientific and technical activities")),
    ("N", N_("Administrative and support services")),
    ("O", N_("Public administration and defence")),
    ("P", N_("Education")),
    ("Q", N_("Health and social work")),
    ("R", N_("Arts, entertainment and recreation")),
    ("S", N_("Other services")),
    ("T", N_("Work in households (domestic work)")),
    ("U", N_("International organisations and embassies")),
)

ISCO_MAJOR_GROUPS: tuple[tuple[str, str], ...] = (
    ("1", N_("Managers")),
    ("2", N_("Professionals")),
    ("3", N_("Technicians and associate professionals")),
    ("4", N_("Clerical support workers")),
    ("5", N_("Service and sales workers")),
    ("6", N_("Skilled agricultural, forestry and fishery workers")),
    ("7", N_("Craft and related trades workers")),
    ("8", N_("Plant and machine operators, and assemblers")),
    ("9", N_("Elementary occupations (labourers, cleaners, helpers)")),
    ("0", N_("Armed forces occupations")),
)
