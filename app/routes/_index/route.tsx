import type { LoaderFunctionArgs } from '@remix-run/node'
import { useLoaderData } from '@remix-run/react'
import { getConfig } from '~/config.server'
import { getPageMeta } from '~/i18n/page-meta.server'
import { AboutSection } from '~/ui/incident/about-section'
import { AdviceSection } from '~/ui/incident/advice-section'
import { AffectedSection } from '~/ui/incident/affected-section'
import { CauseSection } from '~/ui/incident/cause-section'
import { ContactSection } from '~/ui/incident/contact-section'
import { IncidentIntro } from '~/ui/incident/incident-intro'
import { ResumptionSection } from '~/ui/incident/resumption-section'
import { ReturnsSection } from '~/ui/incident/returns-section'
import { TimelineSection } from '~/ui/incident/timeline-section'
import { pageMeta } from '~/ui/page-meta'

export const handle = { i18n: ['incident'] }

export const meta = pageMeta

export async function loader({ request }: LoaderFunctionArgs) {
  // The operator's date, as /account shows it: the notice holds only what cannot change.
  return { meta: await getPageMeta(request, 'incident'), resumptionDate: getConfig().RESUMPTION_DATE }
}

/**
 * The incident notice: what the second report of 2026-03-13 tells the people
 * affected, readers' questions first (am I affected, what do I do), then the
 * account of what happened.
 */
export default function IncidentPage() {
  const { resumptionDate } = useLoaderData<typeof loader>()
  return (
    <article className="prose incident">
      <IncidentIntro resumptionDate={resumptionDate} />
      <AffectedSection />
      <AdviceSection />
      <TimelineSection />
      <CauseSection />
      <ResumptionSection resumptionDate={resumptionDate} />
      <ReturnsSection />
      <ContactSection />
      <AboutSection />
    </article>
  )
}
