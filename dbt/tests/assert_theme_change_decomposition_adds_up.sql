-- The identity of theme_change_decomposition: for every theme and pair of periods,
-- frequency + sentiment + other effects equal the NPS change (to within rounding).
select *
from {{ ref('theme_change_decomposition') }}
where abs(frequency_effect + sentiment_effect + other_effect - nps_change) > 1e-9
