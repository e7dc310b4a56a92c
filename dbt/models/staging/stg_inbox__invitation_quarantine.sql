{{ stage_quarantine('invitations_quarantine') }}
