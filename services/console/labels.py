"""Names shown for the services' codes (statuses, categories...), marked for translation."""

from __future__ import annotations

from services.console.i18n import N_

LABELS: dict[str, str] = {
    # person status
    "in_country": N_("In the country"),
    "abroad": N_("Abroad"),
    "returned": N_("Returned"),
    "deceased": N_("Deceased"),
    "missing": N_("Missing"),
    # case status
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "awaiting_information": N_("Awaiting information"),
    "referred": N_("Referred"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    # categories
    "wage_theft": N_("Wage theft"),
    "document_confiscation": N_("Document confiscation"),
    "detention": N_("Detention"),
    "deportation": N_("Deportation"),
    "trafficking": N_("Trafficking"),
    "violence": N_("Violence"),
    "accident_injury": N_("Accident or injury"),
    "death": N_("Death and repatriation"),
    "missing_person": N_("Missing person"),
    "medical": N_("Medical"),
    "other": N_("Other"),
    # priorities
    "critical": N_("Critical"),
    "high": N_("High"),
    "normal": N_("Normal"),
    "low": N_("Low"),
    # SLA states
    "red": N_("Overdue"),
    "amber": N_("Due soon"),
    "green": N_("On time"),
    "paused": N_("Paused"),
    "met": N_("Met"),
    "breached": N_("Breached"),
    # relations
    "spouse": N_("Spouse"),
    "child": N_("Child"),
    "parent": N_("Parent"),
    "sibling": N_("Sibling"),
    "guardian": N_("Guardian"),
    # movements
    "departure": N_("Departure"),
    "return": N_("Return"),
    # vulnerability markers
    "trafficking_survivor": N_("Trafficking survivor"),
    "violence_survivor": N_("Violence survivor"),
    "disability": N_("Disability"),
    "serious_illness": N_("Serious illness"),
    "pregnancy": N_("Pregnancy"),
    "unaccompanied_minor": N_("Unaccompanied minor"),
    "detained_abroad": N_("Detained abroad"),
    # roles
    "registrar": N_("Registrar"),
    "consular_officer": N_("Consular officer"),
    "consular_supervisor": N_("Consular supervisor"),
    "analyst": N_("Analyst"),
    "auditor": N_("Auditor"),
    "admin": N_("Administrator"),
    # resolutions
    "assisted": N_("Assisted"),
    "wages_recovered": N_("Wages recovered"),
    "released": N_("Released"),
    "repatriated": N_("Repatriated"),
    "remains_repatriated": N_("Remains repatriated"),
    "referred_out": N_("Referred to another organisation"),
    "unreachable": N_("Unreachable"),
    "duplicate": N_("Duplicate"),
    "withdrawn": N_("Withdrawn"),
    # purposes and return reasons
    "work": N_("Work"),
    "study": N_("Study"),
    "family": N_("Family"),
    "contract_end": N_("Contract ended"),
    "entry_ban": N_("Entry ban"),
    "health": N_("Health"),
    # sex
    "F": N_("Female"),
    "M": N_("Male"),
    # timeline events
    "created": N_("Case opened"),
    "transition": N_("Status changed"),
    "note": N_("Note"),
    "assignment": N_("Assigned"),
    "referral": N_("Referral"),
    "referral_status": N_("Referral updated"),
    "person_linked": N_("Person linked"),
    "transferred": N_("Transferred"),
    "family_notification_requested": N_("Family SMS requested"),
    "family_sms": N_("Family SMS"),
    "family_sms_not_sent": N_("Family SMS not sent"),
    "follow_up_task": N_("Follow-up task"),
    "person_returned": N_("Person returned"),
    # family SMS outcomes and follow-up tasks
    "requested": N_("Requested"),
    "queued": N_("Queued"),
    "sent": N_("Sent"),
    "delivered": N_("Delivered"),
    "failed": N_("Failed"),
    "expired": N_("Expired"),
    "suppressed": N_("Suppressed (opted out)"),
    "refused": N_("Refused"),
    "deferred": N_("Held until morning"),
    "case_opened": N_("Case opened"),
    "case_resolved": N_("Case resolved"),
    "family_not_reached": N_("Family not reached"),
    "done": N_("Done"),
    # statistics keys
    "age_group": N_("Age group"),
    "region": N_("Region"),
    "destination_country": N_("Destination country"),
    "sector": N_("Sector"),
    "sex": N_("Sex"),
    "movement": N_("Movement"),
    # who reported a case
    "self": N_("The person themself"),
    "employer": N_("Employer"),
    "ngo": N_("Non-governmental organisation"),
    "host_authority": N_("Host country authority"),
    "hotline": N_("Hotline"),
    # kinds of organisation a case is referred to, and referral states
    "iom": N_("IOM (International Organization for Migration)"),
    "lawyer": N_("Lawyer"),
    "shelter": N_("Shelter"),
    "proposed": N_("Proposed"),
    "accepted": N_("Accepted"),
    "declined": N_("Declined"),
    "completed": N_("Completed"),
    # why a child is at risk (the registry's reasons, as it words them)
    "no caregiver recorded": N_("No caregiver recorded"),
    "caregiver is a minor": N_("The caregiver is a minor"),
    "caregiver is over 75": N_("The caregiver is over 75"),
    "caregiver is abroad": N_("The caregiver is abroad"),
    "caregiver is missing": N_("The caregiver is missing"),
    "caregiver is deceased": N_("The caregiver is deceased"),
    "caregiver is away": N_("The caregiver is away"),
}

# Economic sectors: ISIC Rev.4 sections, by letter (apart from LABELS: "F" and "M"
# there are the sexes).
SECTORS: dict[str, str] = {
    "A": N_("Agriculture, forestry and fishing"),
    "B": N_("Mining"),
    "C": N_("Manufacturing"),
    "D": N_("Electricity and gas supply"),
    "E": N_("Water supply and waste management"),
    "F": N_("Construction"),
    "G": N_("Trade and vehicle repair"),
    "H": N_("Transport and storage"),
    "I": N_("Hotels and catering"),
    "J": N_("Information and communication"),
    "K": N_("Finance and insurance"),
    "L": N_("Real estate"),
    "M": N_("Professional and technical services"),
    "N": N_("Administrative and support services"),
    "O": N_("Public administration"),
    "P": N_("Education"),
    "Q": N_("Health and social work"),
    "R": N_("Arts and recreation"),
    "S": N_("Other services"),
    "T": N_("Domestic work in households"),
    "U": N_("Extraterritorial organisations"),
}

CASE_STATUSES = ("open", "in_progress", "awaiting_information", "referred", "resolved", "closed")
CATEGORIES = (
    "wage_theft",
    "document_confiscation",
    "detention",
    "deportation",
    "trafficking",
    "violence",
    "accident_injury",
    "death",
    "missing_person",
    "medical",
    "other",
)
# Never a templated family SMS for these (the services refuse it too); the form hides it.
SENSITIVE_CATEGORIES = frozenset({"death", "trafficking", "violence", "missing_person"})
PRIORITIES = ("critical", "high", "normal", "low")
RESOLUTIONS = (
    "assisted",
    "wages_recovered",
    "released",
    "repatriated",
    "remains_repatriated",
    "referred_out",
    "unreachable",
    "duplicate",
    "withdrawn",
    "other",
)
RELATIONS = ("spouse", "child", "parent", "sibling", "guardian", "other")
PURPOSES = ("work", "study", "family", "other")
RETURN_REASONS = ("contract_end", "deportation", "entry_ban", "health", "family", "other")
REPORTERS = ("self", "family", "employer", "ngo", "host_authority", "hotline")
ORGANIZATION_TYPES = ("iom", "ngo", "lawyer", "host_authority", "shelter", "other")
SLA_ORDER = {"red": 0, "amber": 1, "green": 2, "paused": 3}
MARKER_KINDS = (
    "trafficking_survivor",
    "violence_survivor",
    "disability",
    "serious_illness",
    "pregnancy",
    "unaccompanied_minor",
    "detained_abroad",
)
BREAKDOWNS = ("sex", "age_group", "region", "destination_country", "sector")

# The audit trail's actions and the kinds of record they touched.
LABELS.update(
    {
        "create": N_("Created"),
        "read": N_("Viewed"),
        "update": N_("Changed"),
        "correct": N_("Corrected"),
        "withdraw_consent": N_("SMS consent withdrawn"),
        "withdraw_marker": N_("Marker withdrawn"),
        "status_change": N_("Status reported"),
        "person": N_("Person"),
        "family_member": N_("Family member"),
        "status_event": N_("Status report"),
        "marker": N_("Vulnerability marker"),
        "protection": N_("Protection details"),
    }
)
