"""The completion engine: evidence in, lesson → course completion → credit, in one transaction.

- text lesson: opened, and at least a share of its estimated minutes since it was first opened
  (``PROGRESS_TEXT_MIN_SHARE``, default half), confirmed by "I have finished reading" or a later visit;
- video and reading lessons: ``complete_on_evidence`` (called by the heartbeat code with its
  verified evidence); a video or reading lesson whose rule is ``opened`` completes when opened;
- quiz lesson: ``quiz_outcome`` (passed, or submitted when that is the lesson's rule), run by the
  quiz domain's ``attempt_finished`` listeners whenever an attempt finishes or is graded;
- course: every current lesson completed; then its hours are credited once and a certificate issued.

Modules: ``evidence`` (the events in, each committing once), ``lessons`` (complete a lesson once and
what it credits: ``lesson_credit``), ``courses`` (``evaluate_course``: the course's credit and
certificate), ``certificates``.
"""
