-- Response counts per period grain, period, programme and breakdown: what the NPS marts
-- and the score distribution slice.
{{ config(materialized='table') }}

with

daily as (

    select * from {{ ref('int_nps_counts_daily') }}

),

by_period as (

    {%- set score_columns = [] -%}
    {%- for score in range(11) %}{% do score_columns.append('score_' ~ score) %}{% endfor %}
    {{ sum_by_period(
        'daily', 'response_date',
        ['programme', 'dimension_kind', 'dimension', 'dimension_value'],
        ['responses', 'promoters', 'passives', 'detractors'] + score_columns
    ) }}

)

select * from by_period
