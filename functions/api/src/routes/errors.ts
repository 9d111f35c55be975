import { errorBodySchema } from '@trainyard/shared';

const error = (description: string) => ({
  description,
  content: { 'application/json': { schema: errorBodySchema } },
});

/** The error answers routes document, by status. */
export const errorResponses = {
  400: error('Invalid request: `param` names the field'),
  401: error('Missing or invalid API key'),
  404: error('No such resource'),
  409: error('Conflicts with the current state'),
  413: error('Body too large'),
  422: error('Well-formed, but not possible with what it refers to (`param` names the field)'),
  429: error('Over a limit (the message names it): retry after `Retry-After` seconds'),
  503: error('A dependency (S3, the queue) is unavailable'),
} as const;

export const security = [{ bearerAuth: [] }];
