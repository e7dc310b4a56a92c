-- The shift-share identity of nps_change_decomposition: for every programme, pair of
-- periods and breakdown, mix + performance effects summed over the values equal the
-- observed change of the breakdown's NPS (to within floating-point rounding).
select
    programme,
    period_grain,
    period_start,
    dimension,
    sum(mix_effect + performance_effect) as explained_change,
    max(total_nps_change) as total_nps_change

from {{ ref('nps_change_decomposition') }}
group by programme, period_grain, period_start, dimension
having abs(sum(mix_effect + performance_effect) - max(total_nps_change)) > 1e-9
