import { useTranslation } from 'react-i18next'

/**
 * A list of strings kept as a JSON array in a namespace. Anything that is not
 * an array of strings (a missing key, a typo) gives an empty list, never a raw key.
 */
export function useTranslatedList(namespace: string) {
  const { t } = useTranslation(namespace)
  return (key: string): string[] => {
    const value: unknown = t(key, { returnObjects: true })
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
  }
}
