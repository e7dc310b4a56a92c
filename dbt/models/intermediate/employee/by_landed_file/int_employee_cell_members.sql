-- Which employee answers make up each group HR may see: one row per answer and group. A
-- group (cell) is a programme, a period (month, quarter or year: no day or week, see
-- docs/nps.md#employee-anonymity) and one breakdown value (overall, channel, touchpoint,
-- survey or a segment). A family is the cells of one programme, grain and breakdown: its
-- cells never share an answer. Disclosure control (int_employee_disclosure) works on these.
--
-- Incremental by landed file (macros/incremental.sql): a run unpivots only the answers of
-- the files validated since the last build (2.7M rows at 150k employee answers: 4 s built
-- whole). A row depends on its answer alone; the groups' counts and verdicts are summed
-- from all these rows every run (int_employee_cells, int_employee_disclosure).
with

responses as (

    select * from {{ ref('int_employee_responses') }}
    where {{ only_changed_files() }}

),

segments as (

    select * from {{ ref('stg_inbox__response_segments') }}
    where {{ only_changed_files() }}

),

by_dimension as (

    {{ unpivot_dimensions(
        'responses', 'segments',
        ['response_id', 'source_file_id', 'response_date', 'programme', 'nps_category', 'score'],
        by_survey=true
    ) }}

),

grains as (

    {%- for grain in employee_period_grains() %}
    select '{{ grain }}' as period_grain
    {%- if not loop.last %} union all{% endif %}
    {%- endfor %}

),

members as (

    select
        by_dimension.response_id,
        by_dimension.source_file_id,
        by_dimension.programme,
        grains.period_grain,
        {{ period_start('grains.period_grain', 'by_dimension.response_date') }} as period_start,
        by_dimension.dimension_kind,
        by_dimension.dimension,
        by_dimension.dimension_value,
        by_dimension.nps_category,
        by_dimension.score

    from by_dimension
    cross join grains
    where by_dimension.dimension_value is not null

),

identified as (

    select
        *,
        concat_ws(
            '|',
            programme,
            period_grain,
            cast(period_start as string),
            dimension_kind,
            dimension,
            dimension_value
        ) as cell_id,
        -- touchpoints and surveys each form one family across touchpoints
        concat_ws(
            '|', programme, period_grain, dimension_kind,
            case when dimension_kind in ('segment', 'channel', 'overall') then dimension end
        ) as family_id

    from members

)

select * from identified
