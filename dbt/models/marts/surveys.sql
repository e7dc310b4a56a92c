-- The survey catalogue (config/surveys.yml, passed by the pipeline as the var
-- `nps_survey_catalogue`): one row per catalogued survey and the programme it measures.
{%- set catalogue = var('nps_survey_catalogue') %}
{%- if catalogue is string %}{% set catalogue = fromjson(catalogue) %}{% endif %}
{%- set columns = ['survey_id', 'programme', 'touchpoint', 'name', 'owner'] %}

with

catalogue as (

    {%- for survey in catalogue %}
    select
        {%- for column in columns %}
        {{ sql_text(survey.get(column)) }} as {{ 'survey_name' if column == 'name' else column }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- else %}
    select
        {%- for column in columns %}
        {{ sql_text(none) }} as {{ 'survey_name' if column == 'name' else column }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    where 1 = 0
    {%- endfor %}

)

select * from catalogue
