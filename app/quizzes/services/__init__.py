"""The quiz domain's operations: ``banks`` (questions, GIFT/Excel import and export), ``quizzes``
(settings and draw rules), ``attempts`` (the clock, saving, grading, review), ``practice`` (每日一练)
and ``statistics`` (facility, discrimination, results)."""
