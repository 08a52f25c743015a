import { UploadSchema } from "~/analyses/validation";

const messages = (smear: File) => {
  const result = UploadSchema.safeParse({ smear });
  return result.success ? [] : result.error.issues.map((i) => i.message);
};

describe("the upload form's file field", () => {
  test("no file chosen asks for one; an empty named file is called empty", () => {
    expect(messages(new File([], ""))[0]).toBe("Choose a photo of the smear first.");
    expect(messages(new File([], "smear.jpg"))).toEqual([
      "The file is empty. Choose a photo of the smear.",
    ]);
    expect(messages(new File([new Uint8Array([1, 2, 3])], "smear.jpg"))).toEqual([]);
  });
});
