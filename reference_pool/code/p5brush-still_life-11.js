// A brown still life: terracotta teapot, a loaf of bread and two walnuts on an umber table against a warm taupe wall.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f3ece1');
  brush.scaleBrushes(1.5);

  brush.noStroke();
  // wall and table
  brush.fill('#cbb8a0', 200);
  brush.fillBleed(0.25);
  brush.fillTexture(0.5, 0.4);
  brush.rect(-256, -256, 512, 330);
  brush.fill('#8a5c3b', 230);
  brush.fillBleed(0.15);
  brush.rect(-256, 70, 512, 186);
  brush.fill('#6b4329', 160);
  brush.rect(-256, 160, 512, 96);

  // table edge
  brush.set('2B', '#4a2c18', 1.2);
  brush.line(-256, 72, 256, 70);
  brush.noStroke();
  // teapot body
  brush.wash('#b8653a', 170);
  brush.circle(-60, 0, 88);
  brush.noWash();
  brush.fill('#b05a32', 235);
  brush.fillBleed(0.12);
  brush.fillTexture(0.5, 0.6);
  brush.circle(-60, 0, 90);
  brush.fill('#8c3f1f', 170);
  brush.circle(-40, 20, 55);
  // lid, knob, spout, handle
  brush.fill('#9c4a27', 230);
  brush.rect(-110, -95, 100, 18);
  brush.circle(-60, -104, 10);
  brush.polygon([[20, -10], [85, -60], [95, -52], [30, 25]]);
  brush.set('2B', '#6b2f16', 3.5);
  brush.noFill();
  brush.arc(-148, 0, 36, 90, 270);
  // highlight
  brush.set('marker', '#f3d2b8', 1.2);
  brush.arc(-75, -15, 55, 200, 250);

  // bread loaf
  brush.noStroke();
  brush.wash('#c98c4a', 170);
  brush.beginShape(0.8);
  brush.vertex(60, 110); brush.vertex(80, 60); brush.vertex(150, 45); brush.vertex(215, 65); brush.vertex(230, 110);
  brush.endShape(true);
  brush.wash('#5e3f24', 190);
  brush.circle(-150, 120, 18);
  brush.circle(-105, 130, 16);
  brush.noWash();
  brush.fill('#d29a55', 235);
  brush.fillBleed(0.15);
  brush.beginShape(0.8);
  brush.vertex(60, 110); brush.vertex(80, 60); brush.vertex(150, 45); brush.vertex(215, 65); brush.vertex(230, 110);
  brush.endShape(true);
  brush.set('HB', '#7a4a22', 1);
  brush.line(110, 70, 125, 55);
  brush.line(145, 68, 160, 52);
  brush.line(180, 72, 192, 58);
  // walnuts
  brush.noStroke();
  brush.fill('#7a5634', 230);
  brush.circle(-150, 120, 20);
  brush.circle(-105, 130, 18);
  brush.set('HB', '#3f2a18', 0.8);
  brush.noFill();
  brush.line(-150, 102, -150, 138);
  brush.line(-105, 114, -105, 146);
}
