-- The survey catalogue (config/surveys.yml, passed by the pipeline as the var
-- `nps_survey_catalogue`): one row per catalogued survey and the programme it measures.
{%- set catalogue = var('nps_survey_catalogue') %}
{%- if catalogue is string %}{% set catalogue = fromjson(catalogue) %}{% endif %}
{#- an empty catalogue is one typed row of NULLs, filtered out #}
{%- set surveys = catalogue if catalogue else [{}] %}

with

catalogue as (

    {%- for survey in surveys %}
    select
        {{ sql_text(survey.get('survey_id')) }} as survey_id,
        {{ sql_text(survey.get('programme')) }} as programme,
        {{ sql_text(survey.get('touchpoint')) }} as touchpoint,
        {{ sql_text(survey.get('name')) }} as survey_name,
        {{ sql_text(survey.get('owner_team')) }} as owner_team
    {%- if not catalogue %}
    where 1 = 0
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from catalogue
