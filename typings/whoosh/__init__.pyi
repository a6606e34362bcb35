# The part of whoosh's API this project uses (app/library/index/): whoosh ships no type information.
# Only the names and arguments the index package calls are declared; a new use adds its line here.
