from whoosh.analysis import Composable

class FieldType: ...

class ID(FieldType):
    def __init__(self, stored: bool = False, unique: bool = False, sortable: bool = False) -> None: ...

class STORED(FieldType): ...

class TEXT(FieldType):
    def __init__(
        self,
        analyzer: Composable | None = None,
        phrase: bool = True,
        stored: bool = False,
        chars: bool = False,
    ) -> None: ...

class KEYWORD(FieldType):
    def __init__(self, stored: bool = False, lowercase: bool = False, commas: bool = False) -> None: ...

class NUMERIC(FieldType):
    def __init__(self, numtype: type[int] = ..., stored: bool = False, sortable: bool = False) -> None: ...

class Schema:
    # A field is a FieldType instance, or a FieldType class whoosh instantiates (STORED).
    def __init__(self, **fields: FieldType | type[FieldType]) -> None: ...
