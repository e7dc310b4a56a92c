-- The calendar of the semantic layer (MetricFlow's time spine): every day from 2015 to
-- 2035, so that a metric by week, month or quarter has every period, answered or not.
{{ days_from_to('2015-01-01', '2035-12-31') }}
