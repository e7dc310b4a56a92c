{{ stage_quarantine('followups_quarantine') }}
