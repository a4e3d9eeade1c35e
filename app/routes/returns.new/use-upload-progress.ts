import { type FormEvent, useState } from 'react'

export type SendProblem = 'tooLarge' | 'rateLimited' | 'expired' | 'network'

/**
 * With JavaScript, the form is sent by XMLHttpRequest so its upload can show
 * progress; without, the browser sends it as any form. Whatever the post
 * saved, the draft holds (fields, accepted photos, what was refused), so the
 * page that follows is simply loaded: the code page after a complete
 * request, this page again after an incomplete one. A post refused before it
 * was read (too large, too many, an expired form) keeps the page as it is
 * and says why.
 */
export function useUploadProgress() {
  const [percent, setPercent] = useState<number | undefined>(undefined)
  const [problem, setProblem] = useState<SendProblem | undefined>(undefined)

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    const form = event.currentTarget
    if (typeof XMLHttpRequest === 'undefined' || typeof FormData === 'undefined') return
    event.preventDefault()
    const request = new XMLHttpRequest()
    request.open('POST', form.action)
    request.upload.onprogress = (progress) => {
      if (progress.lengthComputable) setPercent(Math.floor((progress.loaded / progress.total) * 100))
    }
    request.onload = () => {
      const refused = problemOf(request.status)
      if (refused) {
        setPercent(undefined)
        setProblem(refused)
        return
      }
      window.location.assign(request.responseURL || form.action)
    }
    request.onerror = () => {
      setPercent(undefined)
      setProblem('network')
    }
    setProblem(undefined)
    setPercent(0)
    request.send(new FormData(form))
  }

  return { percent, problem, onSubmit }
}

function problemOf(status: number): SendProblem | undefined {
  if (status === 413) return 'tooLarge'
  if (status === 429) return 'rateLimited'
  if (status === 403) return 'expired'
  return undefined
}
