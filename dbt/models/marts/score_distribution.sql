-- How many responses gave each score 0..10, per period, survey type and breakdown: two
-- equal NPS values with different mixes look different here.
with

counts as (

    select * from {{ ref('int_nps_counts_by_period') }}

),

by_score as (

    {%- for score in range(11) %}
    select
        survey_type, period_grain, period_start, dimension_kind, dimension, dimension_value,
        responses, {{ score }} as score, score_{{ score }} as responses_with_score
    from counts
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        survey_type,
        period_grain,
        period_start,
        dimension_kind,
        dimension,
        dimension_value,
        score,
        responses,
        survey_type = 'employee' and responses < {{ var('enps_min_group') }} as is_suppressed,
        {{ unless_suppressed(
            'responses_with_score', "survey_type = 'employee' and responses < " ~ var('enps_min_group')
        ) }} as responses_with_score,
        {{ unless_suppressed('cast(1.0 * responses_with_score / responses as double)',
            "survey_type = 'employee' and responses < " ~ var('enps_min_group')) }} as share_of_responses

    from by_score

)

select * from final
