const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a path segment can be a row id at all: anything else is a 404 without a query. */
export const isUuid = (text: string) => uuid.test(text);
