class Token:
    # Set by the tokenizer on the one Token it yields over and over.
    text: str
    original: str
    pos: int
    startchar: int
    endchar: int
    boost: float
    stopped: bool
    matched: bool
    def __init__(
        self,
        positions: bool = False,
        chars: bool = False,
        removestops: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> None: ...

class Composable: ...
class Tokenizer(Composable): ...
