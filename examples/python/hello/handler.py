"""hello: the smallest function. GET or POST anything, get a greeting back as text."""


def handle(event, context):
    name = event["query"].get("name") or "world"
    context.log.info("greeting", name=name)
    return f"Hello, {name}!\n"
