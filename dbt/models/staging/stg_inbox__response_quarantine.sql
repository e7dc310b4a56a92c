{{ stage_quarantine('responses_quarantine') }}
