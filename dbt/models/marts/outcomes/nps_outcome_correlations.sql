-- Does a segment's NPS move with what happens to it later? Per programme, customer segment,
-- lag (0-4 quarters) and outcome (churn rate, NRR): Pearson's r between the segment's NPS in
-- a quarter and the outcome that many quarters later, over the quarters that have both, with
-- n and a p-value (Fisher's z, normal approximation; from 4 quarters on). Association, not
-- cause: docs/nps.md, "What NPS is worth".
with

series as (

    select * from {{ ref('int_segment_quarters') }}

),

lags as (

    select 0 as lag_quarters
    union all
    select 1 as lag_quarters
    union all
    select 2 as lag_quarters
    union all
    select 3 as lag_quarters
    union all
    select 4 as lag_quarters

),

paired as (

    select
        answered.programme,
        answered.segment_type,
        answered.segment_value,
        lags.lag_quarters,
        answered.nps,
        later.churn_rate,
        later.nrr
    from series as answered
    cross join lags
    inner join series as later
        on answered.programme = later.programme
        and answered.segment_type = later.segment_type
        and answered.segment_value = later.segment_value
        and later.quarter_start = {{ date_shift('quarter', 'lags.lag_quarters', 'answered.quarter_start') }}
    where answered.nps is not null

),

outcomes as (

    select
        programme,
        segment_type,
        segment_value,
        lag_quarters,
        'churn_rate' as outcome,
        nps,
        churn_rate as outcome_value
    from paired
    where churn_rate is not null

    union all

    select
        programme,
        segment_type,
        segment_value,
        lag_quarters,
        'nrr' as outcome,
        nps,
        nrr as outcome_value
    from paired
    where nrr is not null

),

correlated as (

    select
        programme,
        segment_type,
        segment_value,
        lag_quarters,
        outcome,
        count(*) as quarters,
        -- r of two points is always ±1, say nothing; rounding may leave 1 + 2e-16: clipped
        case
            when count(*) >= 3 then least(1e0, greatest(-1e0, corr(nps, outcome_value)))
        end as correlation
    from outcomes
    group by programme, segment_type, segment_value, lag_quarters, outcome

),

final as (

    select
        programme,
        segment_type,
        segment_value,
        cast(lag_quarters as integer) as lag_quarters,
        outcome,
        quarters,
        correlation,
        case
            when quarters >= 4 and abs(correlation) < 1
                then {{ two_sided_p_value('atanh(correlation) * sqrt(quarters - 3e0)') }}
        end as p_value,
        quarters < 8 as is_low_sample
    from correlated

)

select * from final
