import { passwordWeakness, personalWords } from "~/auth/password-strength.server";
import { action as registerAction } from "~/routes/register";
import { formRequest } from "../helpers";

const maria = { email: "maria.schmidt@clinic.example", name: "Maria Schmidt" };

describe("password strength", () => {
  test.each([
    ["repeated letters", "aaaaaaaa", /repeated characters/],
    ["eight spaces", "        ", /repeated characters/],
    ["the e-mail itself", "maria.schmidt@clinic.example", /your name or e-mail address/],
    ["e-mail parts and a year", "mariaschmidt2024", /your name or e-mail address/],
    ["a common password", "password1", /commonly used password/],
  ])("%s is refused for anyone, saying why", (_, password, why) => {
    const message = passwordWeakness(password, "patient", maria);
    expect(message).toMatch(/^This password is too easy to guess: /);
    expect(message).toMatch(why);
  });

  test("doctors and admins need score 3, patients 2", () => {
    // zxcvbn scores "kettlecorn" a 2.
    expect(passwordWeakness("kettlecorn", "patient", maria)).toBeNull();
    expect(passwordWeakness("kettlecorn", "doctor", maria)).toMatch(/patient data need a strong/);
    expect(passwordWeakness("kettlecorn", "admin", maria)).not.toBeNull();
    expect(passwordWeakness("purple turtle kettle drum", "doctor", maria)).toBeNull();
  });

  test("the e-mail is split into the words an attacker would try", () => {
    expect(personalWords("maria.schmidt+hl@clinic.example", "Maria Schmidt")).toEqual(
      expect.arrayContaining(["maria", "schmidt", "clinic", "example", "maria schmidt"]),
    );
  });

  test("registration refuses a doctor's weak password on the password field, and keeps no account", async () => {
    const request = formRequest("/register", {
      name: "Dr Kettle",
      email: "kettle@example.test",
      password: "kettlecorn",
      isDoctor: "on",
    });
    const result = (await registerAction({ request, context: {}, params: {} })) as {
      data: { error?: Record<string, string[] | null> };
      init: { status: number };
    };
    expect(result.init.status).toBe(400);
    expect(result.data.error?.password?.[0]).toMatch(/too easy to guess/);
    const again = (await registerAction({
      request: formRequest("/register", {
        name: "Dr Kettle",
        email: "kettle@example.test",
        password: "purple turtle kettle drum",
        isDoctor: "on",
      }),
      context: {},
      params: {},
    })) as Response;
    expect(again.status).toBe(302);
  });
});
