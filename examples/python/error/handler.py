"""error: raises on every call. The runtime answers 500 {"error":{"type":"ValueError",...}} and keeps serving."""


class PaymentDeclined(Exception):
    pass


def handle(event, context):
    if event["query"].get("kind") == "custom":
        raise PaymentDeclined("card ending 4242 was declined")
    raise ValueError("something went wrong in the function")
