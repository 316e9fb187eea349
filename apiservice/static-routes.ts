// Discovery and OpenAPI: static documents, answered for any authenticated caller and never failing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AGGREGATED_DISCOVERY_V2,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
} from './discovery.ts';
import { openAPIDocuments, type ServedDocument, V3_GROUP_PATH } from './openapi.ts';
import { GROUP_VERSION_PATH } from './request-info.ts';
import { sendJson } from './respond.ts';

function sendDocument(
  req: IncomingMessage,
  res: ServerResponse,
  doc: ServedDocument,
  hash?: string | null,
): void {
  const etag = `"${doc.etag}"`;
  // A matching ?hash= may be cached for good. A stale one still gets the current document: the
  // aggregator refuses to relay redirects (kube-openapi would answer 301 here).
  if (hash && hash === doc.etag) res.setHeader('cache-control', 'public, immutable');
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, { etag });
    res.end();
    return;
  }
  res.writeHead(200, {
    'content-type': 'application/json',
    etag,
    'content-length': Buffer.byteLength(doc.body),
  });
  res.end(doc.body);
}

/** Answers the request if its path is a discovery or OpenAPI document; returns false otherwise. */
export function serveStaticDocument(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const path = url.pathname.replace(/\/+$/, '');
  switch (path) {
    case GROUP_VERSION_PATH:
      sendJson(res, 200, apiResourceList());
      return true;
    case '/apis':
      if ((req.headers.accept ?? '').includes('g=apidiscovery.k8s.io;v=v2')) {
        sendJson(res, 200, aggregatedDiscovery(), AGGREGATED_DISCOVERY_V2);
      } else {
        sendJson(res, 200, apiGroupList());
      }
      return true;
    case GROUP_VERSION_PATH.slice(0, GROUP_VERSION_PATH.lastIndexOf('/')):
      sendJson(res, 200, apiGroup());
      return true;
    case '/openapi/v2':
      sendDocument(req, res, openAPIDocuments().v2);
      return true;
    case '/openapi/v3':
      sendDocument(req, res, openAPIDocuments().v3Root);
      return true;
    case `/openapi/v3/${V3_GROUP_PATH}`:
      sendDocument(req, res, openAPIDocuments().v3, url.searchParams.get('hash'));
      return true;
    default:
      return false;
  }
}
