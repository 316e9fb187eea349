"""echo-json: returns the JSON body it was sent (content type application/json), 400 on other bodies."""


def handle(event, context):
    body = event["body"]
    if isinstance(body, (str, bytes)):
        return {
            "statusCode": 400,
            "body": {"error": {"type": "BadRequest", "message": "send a JSON body (content-type: application/json)"}},
        }
    return body
