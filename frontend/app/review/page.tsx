"use client";

import { PageTitle } from "@/components/PageTitle";
import { ReviewDesk } from "@/components/review/ReviewDesk";
import { Loading } from "@/components/States";
import { TokenField } from "@/components/TokenField";
import { useClassifier } from "@/lib/classifier";
import { useAdminToken } from "@/lib/token";

export default function ReviewPage() {
  const { name, href, unknown } = useClassifier();
  const [token] = useAdminToken();
  return (
    <>
      <PageTitle title="Review" />
      <TokenField label="Reviewer or admin token" hint="the reviewer token is printed by the API at start-up" />
      {!token && <p className="muted">Enter the reviewer token (or the admin token) to see the images kept for review.</p>}
      {token && !name && <Loading />}
      {token && name && !unknown && (
        <ReviewDesk key={`${name}:${token}`} classifier={name} token={token} settingsHref={href("/models/#review-settings")} />
      )}
    </>
  );
}
