import {fileURLToPath} from 'node:url'

/** ../shared/peer-fixtures beside the checkout (CI lays a copy there). */
export const PEER = fileURLToPath(new URL('../../../shared/peer-fixtures/', import.meta.url))
