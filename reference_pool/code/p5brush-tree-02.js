// A grove of silver birches in winter fog: white trunks with charcoal bark marks against a blue-grey wash, ochre grass below.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#eeeeea');
  brush.scaleBrushes(1.5);

  // fog: blue-grey sky, darker distant trees
  brush.noStroke();
  brush.fill('#aab4c0', 170);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.2);
  brush.rect(-256, -256, 512, 400);
  brush.fill('#7d8a99', 140);
  brush.fillBleed(0.35);
  brush.beginShape(0.8);
  brush.vertex(-256, 60);
  brush.vertex(-180, -20);
  brush.vertex(-80, 20);
  brush.vertex(20, -40);
  brush.vertex(130, 10);
  brush.vertex(256, -30);
  brush.vertex(256, 150);
  brush.vertex(-256, 150);
  brush.endShape(true);

  // ochre winter grass
  brush.fill('#c9a86a', 190);
  brush.fillBleed(0.2);
  brush.beginShape(0.7);
  brush.vertex(-256, 150);
  brush.vertex(0, 135);
  brush.vertex(256, 155);
  brush.vertex(256, 256);
  brush.vertex(-256, 256);
  brush.endShape(true);

  const trunks = [[-170, 30, 175], [-85, 40, 200], [10, 24, 160], [95, 46, 210], [185, 22, 168]];
  for (const [x, w, base] of trunks) {
    brush.noStroke();
    brush.fill('#fbfaf6', 250);
    brush.fillBleed(0.03);
    brush.fillTexture(0.1, 0.2);
    brush.rect(x - w / 2, -260, w, base + 260);
    brush.rect(x - w / 2, -260, w, base + 260);
    brush.fill('#9aa3ad', 150);
    brush.rect(x + w / 6, -260, w / 3, base + 260);
    // bark marks
    brush.noFill();
    for (let y = -240; y < base - 10; y += random(24, 46)) {
      brush.set('charcoal', '#24221f', random(2, 3.5));
      const l = random(0.4, 0.9) * w;
      const s = random() < 0.5 ? x - w / 2 : x + w / 2 - l;
      brush.line(s, y, s + l, y + random(-3, 3));
    }
  }
  // grass strokes at the feet
  brush.set('2B', '#7a5e34', 1.4);
  for (let i = 0; i < 20; i++) {
    const x = random(-250, 250);
    const y = random(150, 240);
    brush.line(x, y, x + random(-6, 6), y - random(10, 22));
  }
}
