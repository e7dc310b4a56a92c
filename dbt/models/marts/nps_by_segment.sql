-- NPS per programme, period and segment value, long form: a new segment_ column in
-- the exports appears here with no model change (macros/nps.sql: nps_breakdown_mart), with
-- the small-segment estimate beside the raw NPS (int_segment_shrinkage).
{{ nps_breakdown_mart(
    'segment', ['dimension as segment_type', 'dimension_value as segment_value'], shrinkage=true
) }}
