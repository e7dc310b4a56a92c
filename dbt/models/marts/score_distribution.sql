-- How many responses gave each score 0..10, per period, programme and breakdown: two
-- equal NPS values with different mixes look different here.
with

counts as (

    select * from {{ ref('int_nps_counts_by_period') }}

),

by_score as (

    {%- for score in range(11) %}
    select
        programme, period_grain, period_start, dimension_kind, dimension, dimension_value,
        responses, {{ score }} as score, score_{{ score }} as responses_with_score
    from counts
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        programme,
        period_grain,
        period_start,
        dimension_kind,
        dimension,
        dimension_value,
        score,
        responses,
        {{ is_anonymity_suppressed('programme', 'responses') }} as is_suppressed,
        {{ unless_suppressed(
            'responses_with_score', is_anonymity_suppressed('programme', 'responses')
        ) }} as responses_with_score,
        {{ unless_suppressed('cast(1e0 * responses_with_score / responses as double)',
            is_anonymity_suppressed('programme', 'responses')) }} as share_of_responses

    from by_score

)

select * from final
