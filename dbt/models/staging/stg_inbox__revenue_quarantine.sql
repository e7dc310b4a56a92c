{{ stage_quarantine('revenue_quarantine') }}
