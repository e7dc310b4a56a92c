{{ stage_segments('invitations_segments') }}
