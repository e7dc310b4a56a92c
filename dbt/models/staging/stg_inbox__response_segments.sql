{{ stage_segments('responses_segments') }}
