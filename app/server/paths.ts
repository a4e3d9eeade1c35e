import { fileURLToPath } from 'node:url'

/** Where the project and its build live, whatever directory a command runs from. */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url))
export const serverBuildPath = fileURLToPath(new URL('../../build/index.js', import.meta.url))
export const publicDirectory = fileURLToPath(new URL('../../public', import.meta.url))
export const assetsDirectory = fileURLToPath(new URL('../../public/build', import.meta.url))
