# Reference split for the import tests: Python's mailbox module (independent of Patchloom's
# splitter). Prints JSON: {path: [sha256 of each message's bytes, ...]} with mboxrd unquoting.
import hashlib, json, mailbox, re, sys

def messages(path):
    with open(path, 'rb') as f:
        head = f.read(5)
    if head != b'From ':
        with open(path, 'rb') as f:
            return [f.read()]
    box = mailbox.mbox(path, create=False)
    out = []
    for key in box.iterkeys():
        data = box.get_bytes(key, from_=False)
        data = re.sub(rb'(?m)^>(>*From )', rb'\1', data)
        out.append(data)
    return out

result = {}
for path in sys.argv[1:]:
    result[path] = [hashlib.sha256(m).hexdigest() for m in messages(path)]
print(json.dumps(result))
