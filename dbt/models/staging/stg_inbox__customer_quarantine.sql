{{ stage_quarantine('customers_quarantine') }}
