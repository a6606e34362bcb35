from whoosh.searching import Results

class Collector:
    def results(self) -> Results: ...

class ScoredCollector(Collector):
    replace: int

class TopCollector(ScoredCollector):
    usequality: bool

class WrappingCollector(Collector):
    child: Collector
