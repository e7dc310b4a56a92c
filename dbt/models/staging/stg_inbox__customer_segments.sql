{{ stage_segments('customers_segments') }}
